"""Tafweej: moving every group between the holy sites on time, never over a route's capacity."""
