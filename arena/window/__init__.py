"""The pygame window: play against an agent, watch agents, and look inside their search.

Modules: `layout` (pure geometry and click mapping), `model` (the session: moves, undo/redo,
seats), `worker` (background thread), `analysis` (overlay data without pygame), `draw`
(painting), `app` (event loop and screenshot mode). Importing this package does not import
pygame; `arena.window.app` does.
"""
