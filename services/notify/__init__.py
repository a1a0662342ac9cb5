"""Notifications to the officials responsible: channels, deliveries and their outcomes."""
