"""Operations: health and readiness probes, metrics, request logs, read replicas, serving."""
