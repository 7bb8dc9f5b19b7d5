// The `slurm` section of an experiment config: what each job asks the cluster for, with per-stage
// overrides (`stages.train.gres: "gpu:1"` to train on GPU nodes). Anything else goes to sbatch as
// `spo submit --sbatch-arg`.
import { z } from 'zod';

export const SLURM_STAGES = ['data', 'sft', 'rm', 'train', 'report'] as const;
export type SlurmStage = (typeof SLURM_STAGES)[number];

const ResourcesShape = {
  partition: z.string().min(1).optional(),
  account: z.string().min(1).optional(),
  qos: z.string().min(1).optional(),
  /** Wall-clock limit in any form sbatch takes ("30", "2:00:00", "1-00:00:00"). */
  time: z.string().min(1).optional(),
  cpusPerTask: z.number().int().positive().optional(),
  /** Memory per node as sbatch takes it ("8G", "16000M"). */
  mem: z.string().min(1).optional(),
  /** Generic resources, e.g. "gpu:1". */
  gres: z.string().min(1).optional(),
};
export const SlurmResourcesSchema = z.object(ResourcesShape).strict();
export type SlurmResources = z.infer<typeof SlurmResourcesSchema>;

export const SlurmConfigSchema = z
  .object({
    ...ResourcesShape,
    /** Per-stage overrides of the settings above. */
    stages: z.partialRecord(z.enum(SLURM_STAGES), SlurmResourcesSchema).default({}),
  })
  .strict();
export type SlurmConfig = z.infer<typeof SlurmConfigSchema>;

/** The resources one stage's jobs ask for: the section's settings with the stage's overrides on top. */
export function resourcesFor(config: SlurmConfig | undefined, stage: SlurmStage): SlurmResources {
  if (!config) return {};
  const { stages, ...shared } = config;
  return { ...shared, ...(stages[stage] ?? {}) };
}

/** sbatch options for the resources. */
export function resourceArgs(r: SlurmResources): string[] {
  return [
    r.partition && `--partition=${r.partition}`,
    r.account && `--account=${r.account}`,
    r.qos && `--qos=${r.qos}`,
    r.time && `--time=${r.time}`,
    r.cpusPerTask && `--cpus-per-task=${r.cpusPerTask}`,
    r.mem && `--mem=${r.mem}`,
    r.gres && `--gres=${r.gres}`,
  ].filter((x): x is string => Boolean(x));
}
