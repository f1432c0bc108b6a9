"""The pygame window: play against an agent, watch agents, and look inside their search.

Modules: `layout` (pure geometry and click mapping), `model` (the session: moves, undo/redo,
seats), `worker` (background thread), `jobs` (the opponent's and the solver's background work,
cached by position), `analysis` (overlay data without pygame), `view` (one frame's content,
frozen), `menu` (the opponent menu's state), `draw` (painting a view), `app` (event loop and
screenshot mode). Importing this package does not import pygame; `arena.window.app` does.
"""
