"""The FastAPI app: every router mounted in ``api``, shared dependencies (``deps``) and access
checks (``permissions``), problem details, and the server-rendered console pages."""
