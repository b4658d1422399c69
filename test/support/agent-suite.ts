// The end of a suite that ran one real agent against its own platform.
import { type AgentProcess, cleanupNode } from '../../apps/agent/testing/harness';
import { dropNamespaces } from './env';
import type { Platform } from './platform';

/**
 * Stops the agent, removes what it made in Docker and the suite's namespaces, then stops the API even when
 * that clean-up failed (a left-running API keeps jest from exiting). AGENT_TEST_LOGS=1 prints the agent's log.
 */
export async function endAgentSuite(p: Platform | undefined, agent: AgentProcess | undefined, nodeName: string, namespaces: string[]): Promise<void> {
  try {
    await agent?.stop();
    await cleanupNode(nodeName);
    await dropNamespaces(namespaces);
  } finally {
    if (agent && process.env.AGENT_TEST_LOGS) process.stderr.write(agent.logs());
    await p?.stop();
  }
}
