"""The health record: FHIR IPS, vaccination rules, incoming health certificates."""
