"""Briefings: what a region's briefing shows (`content`), rendering notebooks in reused kernels
(`kernel`), the HTML pages (`pages`) and the batch over regions (`batch`)."""
