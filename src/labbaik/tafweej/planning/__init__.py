"""Planning on the interchange format: load, plan, check and re-plan a season's movements."""
