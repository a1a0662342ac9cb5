"""Plumbing shared by every Gongkai service, written once: configuration, the event
contract, the database dependency, the outbox and the inbox, metrics."""
