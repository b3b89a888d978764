"""The directory (一单两库) as data: formats, validation, import, reference data, sample data,
working days."""
