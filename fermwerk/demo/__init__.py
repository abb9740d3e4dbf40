"""The demo region: Ferm Werk's municipalities and chain partners, fictional residents."""
