package io.streamwarden.demo;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Demo job used by StreamWarden's integration tests (built by scripts/flink.sh).
 *
 * <p>Arguments: --mode steady|fail|loop|finish (default steady), --after-ms N (default 2000),
 * --name JOBNAME (default demo-MODE), --checkpoint-ms N (default off), --restart-delay-ms N
 * (default 500).
 *
 * <ul>
 *   <li>steady: runs forever, one record every 100 ms.
 *   <li>fail: restart strategy none; throws after N ms, so the job ends FAILED.
 *   <li>loop: fixed-delay restarts forever; every attempt throws after N ms (RUNNING/RESTARTING).
 *   <li>finish: bounded; FINISHED after about N ms.
 * </ul>
 *
 * <p>Source, map and sink run at parallelism 1 and are chained into one task, so the sleep in the
 * map throttles the source directly (no network buffers fill up, checkpoint barriers are not
 * delayed behind queued records) and the job uses almost no CPU.
 */
public final class DemoJob {
    private static final long RECORD_INTERVAL_MS = 100;

    public static void main(String[] args) throws Exception {
        String mode = "steady";
        long afterMs = 2000;
        String name = null;
        long checkpointMs = 0;
        long restartDelayMs = 500;
        for (int i = 0; i < args.length; i++) {
            String key = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + key);
            }
            String value = args[++i];
            switch (key) {
                case "--mode": mode = value; break;
                case "--after-ms": afterMs = Long.parseLong(value); break;
                case "--name": name = value; break;
                case "--checkpoint-ms": checkpointMs = Long.parseLong(value); break;
                case "--restart-delay-ms": restartDelayMs = Long.parseLong(value); break;
                default: throw new IllegalArgumentException("unknown argument " + key);
            }
        }
        if (name == null) {
            name = "demo-" + mode;
        }

        Configuration conf = new Configuration();
        long records = Long.MAX_VALUE; // unbounded in practice
        boolean throwing = false;
        switch (mode) {
            case "steady":
                break;
            case "fail":
                conf.setString("restart-strategy.type", "none");
                throwing = true;
                break;
            case "loop":
                conf.setString("restart-strategy.type", "fixed-delay");
                conf.setString("restart-strategy.fixed-delay.attempts", String.valueOf(Integer.MAX_VALUE));
                conf.setString("restart-strategy.fixed-delay.delay", restartDelayMs + " ms");
                throwing = true;
                break;
            case "finish":
                records = Math.max(1, afterMs / RECORD_INTERVAL_MS);
                break;
            default:
                throw new IllegalArgumentException("unknown mode " + mode);
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        if (checkpointMs > 0) {
            env.enableCheckpointing(checkpointMs);
        }
        env.fromSequence(1, records)
                .name("sequence")
                .map(new SlowMap(throwing ? afterMs : -1))
                .name("slow-map")
                .sinkTo(new DiscardingSink<>())
                .name("discard");
        env.execute(name);
    }

    /** Sleeps per record; if failAfterMs >= 0, throws once the attempt has run that long. */
    static final class SlowMap extends RichMapFunction<Long, Long> {
        private final long failAfterMs;
        private transient long startedAt;

        SlowMap(long failAfterMs) {
            this.failAfterMs = failAfterMs;
        }

        @Override
        public void open(OpenContext openContext) {
            startedAt = System.currentTimeMillis();
        }

        @Override
        public Long map(Long value) throws Exception {
            if (failAfterMs >= 0 && System.currentTimeMillis() - startedAt >= failAfterMs) {
                throw new IllegalStateException("demo failure after " + failAfterMs + " ms");
            }
            Thread.sleep(RECORD_INTERVAL_MS);
            return value;
        }
    }
}
