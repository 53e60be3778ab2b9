using System.Text;
using Recon.Core.Events;

namespace Recon.Core.Tests.Events;

public class StringPoolTests
{
    [Fact]
    public void Get_WhenManyValuesShareFewSlots_ReturnsEachValuesOwnTextAndReusesItsString()
    {
        // 2,000 distinct values over 256 slots: most collide with a slot another value took first.
        var pool = new StringPool();
        var values = Enumerable.Range(0, 2000).Select(i => $"T{i % 7}-{i}").ToList();
        var first = values.Select(v => pool.Get(Encoding.UTF8.GetBytes(v))).ToList();
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < values.Count; i++)
            {
                string s = pool.Get(Encoding.UTF8.GetBytes(values[i]));
                Assert.Equal(values[i], s);
                Assert.Same(first[i], s);
            }
        }
    }

    [Fact]
    public void Get_WhenBytesAreNotUtf8OrLong_DecodesThemAsUtf8Does()
    {
        var pool = new StringPool();
        byte[][] inputs =
        [
            [0xFF, 0x41], [0xFF, 0x42], [0xC3], "é€𝄞"u8.ToArray(), [], Encoding.UTF8.GetBytes(new string('x', 65)), [0xFF, 0x41],
        ];
        foreach (var bytes in inputs.Concat(inputs))
        {
            Assert.Equal(Encoding.UTF8.GetString(bytes), pool.Get(bytes));
        }
    }
}
