"""Disclosure (党务公开): catalogue, plans, obligations, items and their workflow, inspections."""
