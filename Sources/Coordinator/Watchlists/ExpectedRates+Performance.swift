import CoordinatorRecord
import Evaluation

extension ExpectedRates {
    /// The figures as a deployment records them.
    var performance: ExpectedPerformance {
        ExpectedPerformance(
            tpir: rates.tpir, tpirInterval: rates.tpirInterval, fpir: rates.fpir, fpirInterval: rates.fpirInterval,
            evaluatedListSize: evaluatedSize, report: reportPath, fpirByGroup: fpirByGroup)
    }
}
