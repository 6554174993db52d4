"The two-phase recipe: the head-rate search, the best epoch kept, the report, the phases, the strategies."
