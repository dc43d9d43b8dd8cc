"""The HTTP API: `yuqi serve` / `python -m yuqi.api`.

Module map (no cycles): config, models, errors → guard, serialize, state → answering →
streaming → routes, openai_facade, admin → app → __main__.
"""
