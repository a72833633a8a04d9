"""wirestream's stages as plain Python: no Kafka, no Faust."""
