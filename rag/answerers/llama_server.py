"""python -m rag.answerers.llama_server: llama-cpp-python's own OpenAI-compatible server (`python -m
llama_cpp.server`, same arguments), loading weights into plain CPU buffers.

The stock command crashes on machines whose CPU reports AMX that the VM does not enable (see
llamacpp._plain_cpu_buffers); elsewhere `python -m llama_cpp.server` works the same.

Stage: answering (a tool beside the llamacpp backend). Must not import the engine or the edges.
"""
import llama_cpp.llama as llama_module
from llama_cpp.server.__main__ import main

from .llamacpp import _plain_params

if __name__ == "__main__":
    llama_module.llama_cpp.llama_model_default_params = _plain_params(llama_module.llama_cpp.llama_model_default_params)
    main()
