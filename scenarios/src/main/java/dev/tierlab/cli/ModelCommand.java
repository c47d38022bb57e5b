package dev.tierlab.cli;

import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.gguf.GgufFile;
import dev.tierlab.inference.gguf.GgufTensorInfo;
import dev.tierlab.inference.model.ModelInfo;
import dev.tierlab.inference.model.ModelPreset;
import dev.tierlab.inference.model.Presets;
import dev.tierlab.inference.model.QuantMix;
import dev.tierlab.inference.model.SyntheticModel;
import dev.tierlab.inference.model.TensorClass;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Synthesize shape-faithful GGUF models and inspect GGUF files.",
        subcommands = {ModelCommand.Synth.class, ModelCommand.Inspect.class})
final class ModelCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "choose 'synth' or 'inspect'");
    }

    @Command(name = "synth", mixinStandardHelpOptions = true,
            description = {"Write a GGUF with a real model's shapes and random weights.",
                "The tensor shapes and quant mix are the preset's; the weights are random."})
    static final class Synth implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--preset", required = true, paramLabel = "NAME",
                description = "Model shape: ${COMPLETION-CANDIDATES}", completionCandidates = PresetNames.class)
        String preset;

        @Option(names = "--quant", defaultValue = "f16", paramLabel = "TYPE",
                description = "Quant mix: f32, f16, bf16, q8_0, q4_0, q4_k_m (default: ${DEFAULT-VALUE}).")
        String quant;

        @Option(names = "--layers", paramLabel = "N", description = "Keep only the first N layers (default: all).")
        Integer layers;

        @Option(names = "--seed", defaultValue = "42", description = "Seed of the random weights (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--router-zipf", paramLabel = "S",
                description = "Mixture-of-experts presets: Zipf exponent of expert popularity per layer, 0 (uniform) to 4 (default: the preset's).")
        Double routerZipf;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "GGUF file to write.")
        Path output;

        @Override
        public Integer call() throws IOException {
            ModelPreset p = Presets.byName(preset).orElseThrow(() -> new UserError(
                    "--preset: unknown preset '%s'; choose one of %s".formatted(preset, String.join(", ", Presets.names()))));
            QuantMix mix = QuantMix.byName(quant).orElseThrow(() -> new UserError(
                    "--quant: unknown quant mix '%s'; choose one of %s".formatted(quant, QuantMix.names())));
            if (layers != null) {
                if (layers < 1 || layers > p.nLayer()) {
                    throw new UserError("--layers: %d is outside 1..%d for preset %s".formatted(layers, p.nLayer(), p.name()));
                }
                p = p.withLayers(layers);
            }
            if (routerZipf != null) {
                if (!p.isMoe()) {
                    throw new UserError("--router-zipf: preset %s has no experts; use a mixture-of-experts preset".formatted(p.name()));
                }
                if (!(routerZipf >= 0 && routerZipf <= 4)) {
                    throw new UserError("--router-zipf: %s is outside 0..4".formatted(routerZipf));
                }
                p = p.withRouterZipf(routerZipf);
            }
            PrintWriter err = spec.commandLine().getErr();
            ProgressLine progress = new ProgressLine(err, "synth " + p.name() + " " + mix.label());
            SyntheticModel.write(p, mix, seed, output, (done, total, t) -> progress.update(done, total));
            progress.finish();
            try (GgufFile f = GgufFile.open(output)) {
                ModelInfo info = ModelInfo.of(f);
                spec.commandLine().getOut().printf("wrote %s: %s, %d layers, %s params, %s%n", output, p.architecture(),
                        info.nLayer(), Units.count(info.params()), Units.bytes(info.fileBytes()));
            }
            return TierlabCli.EXIT_OK;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = {"Print a GGUF model's hyper-parameters, tensors and sizes.",
                "Sizes are bytes per layer and per tensor class."})
    static final class Inspect implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Option(names = "--no-tensors", description = "Leave out the per-tensor table.")
        boolean hideTensors;

        @Override
        public Integer call() {
            try (GgufFile f = GgufFile.open(file)) {
                print(f, ModelInfo.of(f), spec.commandLine().getOut());
            }
            return TierlabCli.EXIT_OK;
        }

        private void print(GgufFile f, ModelInfo m, PrintWriter out) {
            out.printf("file            %s (GGUF v%d, %s, %d metadata keys)%n", f.path(), f.version(),
                    Units.bytes(m.fileBytes()), f.metadata().size());
            out.printf("name            %s%n", m.name());
            out.printf("architecture    %s%n", m.architecture());
            out.printf("params          %s (%,d)%n", Units.count(m.params()), m.params());
            if (m.isMoe()) {
                out.printf("active params   %s (%,d) per token%n", Units.count(m.activeParams()), m.activeParams());
                out.printf("experts         %d, %d used per token%n", m.nExpert(), m.nExpertUsed());
                out.printf("routing         %s%n", m.routing());
            }
            out.printf("weights         %s, mostly %s (%.2f bits/weight)%n", Units.bytes(m.tensorBytes()), m.fileType(),
                    8.0 * m.tensorBytes() / m.params());
            out.printf("layers          %d%n", m.nLayer());
            out.printf("n_embd          %d%n", m.nEmbd());
            out.printf("n_head / kv     %d / %d (head_dim %d)%n", m.nHead(), m.nHeadKv(), m.headDim());
            out.printf("n_ff            %d%n", m.nFf());
            out.printf("n_vocab         %d%n", m.nVocab());
            out.printf("context         %d%n", m.contextLength());
            out.printf("output          %s%n", m.hasOutputTensor() ? "output.weight" : "tied to token_embd.weight");
            long kv = m.kvBytesPerTokenPerLayer(GgmlType.F16);
            out.printf("KV cache (f16)  %s per token per layer, %s per token (all %d layers)%n",
                    Units.bytes(kv), Units.bytes(kv * m.nLayer()), m.nLayer());

            out.println();
            out.println("bytes per tensor class");
            for (Map.Entry<TensorClass, Long> e : m.bytesPerClass().entrySet()) {
                out.printf("  %-12s %12s  %5.1f%%%n", e.getKey().label(), Units.bytes(e.getValue()),
                        100.0 * e.getValue() / m.tensorBytes());
            }
            out.println();
            out.println("bytes per layer");
            for (Map.Entry<Integer, Long> e : m.bytesPerLayer().entrySet()) {
                out.printf("  %-12s %12s%n", e.getKey() < 0 ? "non-layer" : "blk." + e.getKey(), Units.bytes(e.getValue()));
            }
            if (!hideTensors) {
                out.println();
                out.printf("%-32s %-7s %-22s %12s %14s%n", "tensor", "type", "shape", "bytes", "offset");
                for (GgufTensorInfo t : m.tensors()) {
                    out.printf("%-32s %-7s %-22s %12d %14d%n", t.name(), t.type().ggmlName(),
                            Arrays.toString(t.dims()), t.byteSize(), f.dataOffset() + t.offset());
                }
            }
        }
    }

    static final class PresetNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Presets.names().iterator();
        }
    }
}
