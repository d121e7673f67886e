"""The FastAPI app: JSON API, console pages, problem details."""
