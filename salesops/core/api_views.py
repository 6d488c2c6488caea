def register(router):
    """Register the kernel viewsets on the /api/v1/ router."""
