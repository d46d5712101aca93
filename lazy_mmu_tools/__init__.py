"""Python side of lazy-mmu-tools: the drivers behind bin/lazy-mmu-convert
and bin/lazy-mmu-lint.  Standard library only."""
