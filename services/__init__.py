"""Gongkai's services: one package per service, plus `common` for shared plumbing."""
