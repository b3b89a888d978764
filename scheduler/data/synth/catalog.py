"""Reference data as index arrays, so the generator works on integers, not strings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from scheduler.data import reference

__all__ = ["Catalog", "catalog"]


@dataclass(frozen=True)
class Catalog:
    department_codes: np.ndarray
    """Department codes in reference order (``PUBLIC`` is not a department here)."""
    sector_codes: np.ndarray
    sector_department: np.ndarray
    """Index into ``department_codes`` of each sector's department."""
    region_codes: np.ndarray
    region_names: np.ndarray
    region_population: np.ndarray

    def sector(self, code: str) -> int:
        """Index of a sector code (raises ``KeyError`` on an unknown one)."""
        hits = np.flatnonzero(self.sector_codes == code)
        if hits.size != 1:
            raise KeyError(code)
        return int(hits[0])

    def department(self, code: str) -> int:
        hits = np.flatnonzero(self.department_codes == code)
        if hits.size != 1:
            raise KeyError(code)
        return int(hits[0])

    def department_sectors(self, department: int) -> np.ndarray:
        return np.flatnonzero(self.sector_department == department)


@cache
def catalog() -> Catalog:
    departments = [d.code for d in reference.departments()]
    sectors = reference.sectors()
    regions = reference.regions()
    return Catalog(
        department_codes=np.array(departments),
        sector_codes=np.array([s.code for s in sectors]),
        sector_department=np.array([departments.index(s.department_code) for s in sectors]),
        region_codes=np.array([r.code for r in regions]),
        region_names=np.array([r.name for r in regions]),
        region_population=np.array([r.population_10k for r in regions]),
    )
