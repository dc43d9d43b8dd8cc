"""yuqi — 网贷逾期催收信息核实助手: retrieval, analysis and grounded answers."""

__version__ = "0.1.0"
