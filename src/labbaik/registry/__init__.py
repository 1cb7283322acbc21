"""The registry of seasons, companies, groups, lodgings and pilgrims."""
