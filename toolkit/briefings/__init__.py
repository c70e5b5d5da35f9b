"""Briefings: what a region's briefing shows (`content`, built from the HTML pieces of
`fragments`), rendering notebooks in reused kernels (`kernel`), the HTML pages (`pages`, from
the template files in `templates/` that `assets` reads) and the batch over regions (`batch`)."""
