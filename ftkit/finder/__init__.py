"The LR range test: snapshot and restore, the sweep, the curve and its rules, comparison, reproduction."
