"""Language-model answer backends, one file each, behind the LLMAnswerer flow in base.py.

Importing this package imports no model library: each backend loads its own (llama_cpp, httpx) when built.
"""
