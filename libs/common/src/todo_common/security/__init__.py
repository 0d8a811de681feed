"""JWT minting and verification, and the FastAPI dependencies built on them."""
