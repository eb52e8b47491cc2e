"""Large Excel imports: reading sheets safely, background jobs, uploads awaiting confirmation."""
