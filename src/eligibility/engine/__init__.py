"""Compiling a pack, deciding its tests with durable-rules, and building assessments."""
