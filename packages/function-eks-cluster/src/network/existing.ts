/**
 * spec.network.existing: the cluster runs in a VPC and subnets someone else
 * owns. Nothing of the network is composed, so nothing of it is ever deleted.
 * Switching between a composed and an existing network on a live EKSCluster
 * would delete the composed VPC (or leave the cluster in subnets it can never
 * leave: EKS fixes them at creation), so it is refused either way.
 */
import type { NatPlan } from './nat.js';

export const NO_NAT: NatPlan = { gateways: [], routeTarget: new Map() };
