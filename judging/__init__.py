"""The judging side: panel assignment, score sheets, aggregation, ranking, results, forwarding."""
