"""What people see: number formats (`formatting`), charts and their theme (`charts`), SVG
rendering (`render`), the explorer's view models, HTML panels and widgets (`explore`,
`panels`, `widgets`), the teaching lab (`teaching`), the store's summary (`summary`) and
the research export (`export`, with its `codebook`)."""
