"""Tests for hp_ews."""
