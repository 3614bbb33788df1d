"""The formula engine: parser, dependency graph, evaluator, vectorised batches."""
