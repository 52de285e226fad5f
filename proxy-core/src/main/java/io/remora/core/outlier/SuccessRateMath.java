package io.remora.core.outlier;

import io.remora.config.model.OutlierDetectionConfig;
import io.remora.core.upstream.Host;
import java.util.ArrayList;
import java.util.List;

/**
 * Envoy's success-rate outlier test: over hosts with at least {@code request_volume} requests in the interval
 * (and only if there are at least {@code minimum_hosts} of them), a host is an outlier when its success rate is
 * below {@code mean − stdev_factor × stdev}.
 */
final class SuccessRateMath {
    private SuccessRateMath() {
    }

    /** Mean and population standard deviation of {@code rates}. */
    static double[] meanAndStdev(double[] rates) {
        double sum = 0;
        for (double r : rates) {
            sum += r;
        }
        double mean = sum / rates.length;
        double var = 0;
        for (double r : rates) {
            var += (r - mean) * (r - mean);
        }
        return new double[] {mean, Math.sqrt(var / rates.length)};
    }

    static List<Host> outliers(List<Host> hosts, List<long[]> counts, OutlierDetectionConfig.SuccessRate cfg) {
        List<Integer> eligible = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            long[] c = counts.get(i);
            if (c[0] + c[1] >= cfg.requestVolume()) {
                eligible.add(i);
            }
        }
        if (eligible.size() < cfg.minimumHosts() || eligible.isEmpty()) {
            return List.of();
        }
        double[] rates = new double[eligible.size()];
        for (int k = 0; k < eligible.size(); k++) {
            long[] c = counts.get(eligible.get(k));
            rates[k] = 100.0 * c[0] / (c[0] + c[1]);
        }
        double[] ms = meanAndStdev(rates);
        double threshold = ms[0] - cfg.stdevFactor() * ms[1];
        List<Host> out = new ArrayList<>();
        for (int k = 0; k < eligible.size(); k++) {
            if (rates[k] < threshold) {
                out.add(hosts.get(eligible.get(k)));
            }
        }
        return out;
    }
}
