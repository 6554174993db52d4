"Shared helpers: argument checks and atomic files (basics), figures, the docs renderer, distributed runs."
