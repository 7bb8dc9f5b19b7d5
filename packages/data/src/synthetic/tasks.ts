import type { SyntheticTask } from './task.js';
import { summarizationTask } from './summarization.js';
import { dialogueTask } from './dialogue.js';
import { storiesTask } from './stories.js';

export const SYNTHETIC_TASKS: Record<string, SyntheticTask<any>> = {
  summarization: summarizationTask,
  dialogue: dialogueTask,
  stories: storiesTask,
};

export function syntheticTask(name: string): SyntheticTask<any> {
  const task = SYNTHETIC_TASKS[name];
  if (!task) throw new Error(`unknown synthetic task "${name}"; known: ${Object.keys(SYNTHETIC_TASKS).join(', ')}`);
  return task;
}
