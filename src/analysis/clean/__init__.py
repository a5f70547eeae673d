"""From a raw export to validated, redacted processed data: ingest, validation rules, privacy."""
