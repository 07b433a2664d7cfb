"""Shared helpers for the fraud-detector project."""
