"""Readers that turn files, folders and stdin into input records, one per profile."""
