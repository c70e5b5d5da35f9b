"""What people see: number formats (`formatting`), charts and their theme (`charts`), SVG
rendering (`render`), the explorer's view models, HTML panels and widgets (`explore`,
`panels`, `widgets`), the teaching lab (`teaching`) and the store's summary (`summary`)."""
