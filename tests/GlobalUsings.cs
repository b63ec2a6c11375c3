global using Xunit;
global using Coordination.Tests.Infrastructure;
