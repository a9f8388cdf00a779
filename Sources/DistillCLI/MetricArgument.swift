import ArgumentParser
import Evaluation

// `--metric accuracy|f1|macro_f1|mcc|pearson|spearman`, by the metric's raw name.
extension Metric: ExpressibleByArgument {}
