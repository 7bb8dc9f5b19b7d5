// Reward-model training settings: the loop's fields and the loss's, with their defaults declared here
// and in @spo/losses.
import { type z } from 'zod';
import { RewardModelLossParamsSchema } from '@spo/losses';
import { TrainFieldsSchema, warmupFitsSteps } from './config.js';

export const RewardModelConfigSchema = TrainFieldsSchema.extend(RewardModelLossParamsSchema.shape)
  .strict()
  .refine(...warmupFitsSteps);

export type RewardModelConfig = z.infer<typeof RewardModelConfigSchema>;
