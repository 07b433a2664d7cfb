"""Inference services for the fraud-detector model."""
