"""Who may do what: roles, users and the one permission rule."""
