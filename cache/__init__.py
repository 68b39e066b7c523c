"""The persistent cache: filled in by the expansion issue."""
