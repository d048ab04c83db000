"""Printed and exported documents: print kit, CSV exports, PDFs."""
