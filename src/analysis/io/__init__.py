"""Reading what arrives: export loaders per service, the wave manifest, the municipality frame."""
